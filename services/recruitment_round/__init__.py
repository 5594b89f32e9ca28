"""The recruitment round (招聘) and its applications, split by sub-step: `rounds` (lifecycle), `settings`,
`registration`, `screening` (资格审查), `opening` (开考比例), `exams`/`score_import`/`scoring`/`ranking`/`ties`,
`assessment` (conversion track), `followup` (体检、考察), `refill` (递补), `notice` (公示), `objection`,
`hire` (聘用), `batch` (set-wise steps run by Prefect flows).

Importing the package imports every sub-step, so that each one's step checks (`rounds.precondition`),
entry hooks (`rounds.on_enter`), refill hook (`registration.after_leave`), task handlers and timer handlers
are registered wherever the round is used (web app, flows, CLI, tests)."""

from services.recruitment_round import (
    assessment,
    batch,
    ending,
    exams,
    followup,
    hire,
    hiring_desk,
    notice,
    objection,
    opening,
    ranking,
    refill,
    registration,
    rounds,
    score_import,
    scoring,
    screening,
    settings,
    ties,
)

__all__ = [
    "assessment",
    "batch",
    "ending",
    "exams",
    "followup",
    "hire",
    "hiring_desk",
    "notice",
    "objection",
    "opening",
    "ranking",
    "refill",
    "registration",
    "rounds",
    "score_import",
    "scoring",
    "screening",
    "settings",
    "ties",
]
