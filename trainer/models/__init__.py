"""The models, one file per aggregate; importing this package registers them all."""
from trainer.models.activities import ActivityLog, ActivityModuleSummary, ActivitySummary, Assignment
from trainer.models.attendance import ATTENDANCE, Apology, DayAttendance, SessionAttendance
from trainer.models.audit import AuditEvent
from trainer.models.calendar import CalendarFeed, RemovedEvent
from trainer.models.cohort import Randomisation
from trainer.models.costs import COST_GROUPS, ProgrammeCosts
from trainer.models.consent import METHODS, PURPOSES, Consent, ParticipantInformation
from trainer.models.curriculum import Activity, Module
from trainer.models.evaluation_plan import EvaluationPlan, EvaluationPlanVersion
from trainer.models.goals import Goal, GoalReview
from trainer.models.organisation import OrganisationSettings, SchedulerHeartbeat
from trainer.models.outbox import OutboxMessage
from trainer.models.outcomes import (WAVE_KINDS, InstrumentItemText, OutcomeResponse, OutcomeScore,
                                     OutcomeWave, ProgrammeInstrument, ScoreSharing,
                                     SupportResource)
from trainer.models.peers import PeerGroup, PeerGroupMember, PeerMeeting
from trainer.models.programme import ARMS, ROLES, STATUSES, Membership, Programme, ProgrammeVersion
from trainer.models.ratings import ModuleRating, RatingResponse, RatingSummary, RatingWave
from trainer.models.submissions import Submission
from trainer.models.schedule import SessionTrainer, TrainingDay, TrainingSession
from trainer.models.user import LoginAttempt, PasswordToken, RecoveryRequest, User

__all__ = [
    "ARMS", "ROLES", "STATUSES", "Activity", "ActivityLog", "ActivityModuleSummary", "ActivitySummary", "Assignment", "AuditEvent", "Goal",
    "GoalReview", "InstrumentItemText", "LoginAttempt", "Membership", "Module", "ModuleRating",
    "OutboxMessage", "OutcomeResponse", "OutcomeScore", "OutcomeWave", "PasswordToken", "PeerGroup",
    "PeerGroupMember", "PeerMeeting", "Programme", "ProgrammeInstrument", "ProgrammeVersion", "RatingResponse",
    "RatingSummary",
    "RatingWave", "RecoveryRequest", "ScoreSharing", "SessionTrainer", "SupportResource", "TrainingDay", "WAVE_KINDS",
    "TrainingSession", "User",
    "ATTENDANCE", "Apology", "CalendarFeed", "DayAttendance", "Randomisation", "RemovedEvent",
    "SessionAttendance",
    "METHODS", "PURPOSES", "Consent", "ParticipantInformation",
    "OrganisationSettings", "SchedulerHeartbeat",
    "Submission",
    "EvaluationPlan", "EvaluationPlanVersion",
    "COST_GROUPS", "ProgrammeCosts",
]
