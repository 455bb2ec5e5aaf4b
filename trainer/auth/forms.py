"""Forms for signing in and setting passwords (shape only; rules live in services)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from trainer.services.accounts import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])
    remember = BooleanField("Keep me signed in on this device for 7 days")


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", description=f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong one.",
        validators=[DataRequired("Enter a new password"),
                    Length(min=MIN_PASSWORD_LENGTH, message=f"Password must be at least {MIN_PASSWORD_LENGTH} characters long")])
    confirm = PasswordField("Confirm new password", validators=[
        DataRequired("Enter the new password again"), EqualTo("password", "The passwords do not match")])


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField("Current password",
                                     validators=[DataRequired("Enter your current password")])
