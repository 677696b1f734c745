"""Recognising a known applicant: normal forms, blocking keys, a Fellegi–Sunter model, a decision.

`match(query)` / `find_candidates(query)` is the single entry every caller uses (the
registration form, `people.services.applicant_resolve` for channels, the batch search).
See docs/dedup.md for the model, the thresholds and how quality is measured.
"""

from people.matching.lookup import Candidate, MatchResult, find_candidates, match
from people.matching.record import MatchQuery, MatchRecord, record_from_query

__all__ = ["Candidate", "MatchQuery", "MatchRecord", "MatchResult", "find_candidates", "match", "record_from_query"]
