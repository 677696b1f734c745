"""Every write to applicants: cards and contacts, recognition at the door, the match index,
merging and its undo, the review queue, the batch search, the personal-data log, retention."""

from people.services.applicants import (
    ContactInput,
    Resolution,
    applicant_anonymise,
    applicant_create,
    applicant_reindex,
    applicant_resolve,
    applicants_anonymise_stale,
    applicants_reindex,
    contact_validate,
    contacts_add,
    name_frequencies_rebuild,
    personal_data_accessed,
    suspicion_dismiss,
)
from people.services.batch import dedup_run_execute, dedup_run_start
from people.services.merge import MERGE_FIELDS, applicant_merge_undo, applicants_merge

__all__ = [
    "MERGE_FIELDS",
    "ContactInput",
    "Resolution",
    "applicant_anonymise",
    "applicant_create",
    "applicant_merge_undo",
    "applicant_reindex",
    "applicant_resolve",
    "applicants_anonymise_stale",
    "applicants_merge",
    "applicants_reindex",
    "contact_validate",
    "contacts_add",
    "dedup_run_execute",
    "dedup_run_start",
    "name_frequencies_rebuild",
    "personal_data_accessed",
    "suspicion_dismiss",
]
