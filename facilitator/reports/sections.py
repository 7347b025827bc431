"""Names of the facilitation's documentation sections and of the action plan's values, in one
place for the record (PDF/HTML), the DOCX, the CSV and the console's "still empty" list, so every
output and the console use the same words (gettext, the record's language)."""
from flask_babel import gettext as _


def section_title(key: str) -> str:
    """The heading of a section (domain/documentation.py SECTIONS) as the record prints it."""
    return {
        "contact": _("Contact"),
        "facilitation": _("Facilitation"),
        "editing": _("Editing"),
        "photo_credits": _("Photo credits"),
        "foreword": _("Foreword"),
        "programme": _("Programme as planned"),
        "summary": _("Summary by the facilitation"),
        "quotes": _("Key quotes"),
        "dissent": _("Dissent"),
        "open_questions": _("Open questions"),
        "next_steps": _("Next steps"),
        "use_of_results": _("How the results will be used"),
        "plain_summary": _("Summary in plain language"),
        "feedback": _("Participants' feedback"),
    }.get(key, key)


def status_name(status: str) -> str:
    return {"planned": _("planned"), "in_progress": _("in progress"), "done": _("done"),
            "on_hold": _("on hold"), "dropped": _("dropped")}.get(status, "")


def consent_note(consent: str) -> str:
    """Why the photo may be published (DOMAIN.md §3.3, photos of people)."""
    return {"no_people": _("No people recognisable."),
            "consent": _("The people shown agreed to publication."),
            "assembly": _("Picture of the assembly; people appear only as part of it.")
            }.get(consent, "")
