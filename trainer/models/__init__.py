"""The models, one file per aggregate; importing this package registers them all."""
from trainer.models.activities import ActivityLog, Assignment
from trainer.models.attendance import ATTENDANCE, Apology, DayAttendance, SessionAttendance
from trainer.models.audit import AuditEvent
from trainer.models.calendar import CalendarFeed
from trainer.models.cohort import Randomisation
from trainer.models.curriculum import Activity, Module
from trainer.models.goals import Goal, GoalReview
from trainer.models.outbox import OutboxMessage
from trainer.models.programme import ARMS, ROLES, STATUSES, Membership, Programme
from trainer.models.ratings import ModuleRating, RatingWave
from trainer.models.schedule import SessionTrainer, TrainingDay, TrainingSession
from trainer.models.user import LoginAttempt, PasswordToken, User

__all__ = [
    "ARMS", "ROLES", "STATUSES", "Activity", "ActivityLog", "Assignment", "AuditEvent", "Goal",
    "GoalReview", "LoginAttempt", "Membership", "Module", "ModuleRating", "OutboxMessage",
    "PasswordToken", "Programme", "RatingWave", "SessionTrainer", "TrainingDay",
    "TrainingSession", "User",
    "ATTENDANCE", "Apology", "CalendarFeed", "DayAttendance", "Randomisation", "SessionAttendance",
]
