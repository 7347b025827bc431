"""The compendium's HTML on its own: right-to-left text keeps its direction, hostile text stays
text, empty optional parts (no organiser, a field no event worked on) are said, not left blank."""
from facilitator.domain import processes
from facilitator.domain.processes import EventSpec, ProcessSpec
from facilitator.reports import compendium


def test_compendium_html_with_arabic_hostile_and_empty_parts(session, make):
    owner = make.facilitator()
    process = processes.create_process(session, owner.id, ProcessSpec(
        "<script>alert(1)</script> Prozess", organiser="", language="en",
        fields=("اللغة", "Arbeit")))
    processes.create_event(session, process.id, owner.id, EventSpec(
        "Auftakt", kind="kickoff", field_ids=[process.fields[0].id]))
    html = compendium.compendium_html(compendium.build_compendium(session, process.id))
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert '<h2 dir="rtl">اللغة</h2>' in html
    assert "No event has worked on this field yet." in html  # "Arbeit"
    assert "Organiser" not in html
