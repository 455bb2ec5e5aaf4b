"""Domain exceptions raised by services and turned into responses by the app."""


class DomainError(Exception):
    """Base of every error a service raises on purpose."""


class PermissionDenied(DomainError):
    """The user may not do this to this object (HTTP 403)."""


class NotForComparisonArm(PermissionDenied):
    """The training material is kept from comparison-arm participants; the message says why."""


class NotFound(DomainError):
    """The object does not exist, or its existence must not be revealed (HTTP 404)."""


class RuleViolation(DomainError):
    """Input broke a domain rule; ``field`` names the form field it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class TooManyAttempts(DomainError):
    """Sign-in throttling refused an attempt (HTTP 429)."""
