"""Promises given in answers: extraction, the registry, reminders and the applicants' notices."""
