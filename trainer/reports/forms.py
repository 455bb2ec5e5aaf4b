"""Report forms."""
from flask_wtf import FlaskForm


class ExportForm(FlaskForm):
    """An export button: its CSRF token is what matters."""
