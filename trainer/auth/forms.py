"""Forms for signing in and setting passwords (shape only; rules live in services)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from trainer.services.accounts.password_policy import HINT, MAX_LENGTH, MIN_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])
    remember = BooleanField("Keep me signed in on this device for 7 days")


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", description=HINT,
        validators=[DataRequired("Enter a new password"),
                    Length(min=MIN_LENGTH, message=f"Password must be at least {MIN_LENGTH} characters long"),
                    Length(max=MAX_LENGTH, message=f"Password must be {MAX_LENGTH} characters or fewer")])
    confirm = PasswordField("Confirm new password", validators=[
        DataRequired("Enter the new password again"), EqualTo("password", "The passwords do not match")])


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField("Current password",
                                     validators=[DataRequired("Enter your current password")])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address"),
                                                    Length(max=254)])
