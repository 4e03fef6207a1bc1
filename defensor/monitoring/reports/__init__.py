"""The trial report: generated from a plan's data, edited, approved, published, rendered as PDF and DOCX.

- `content.build(plan, language)` — the title and sections, from the plan (§3.4 of the domain notes);
- `services` — generate (keeping edits), edit, send for review, approve, publish (which makes the
  report's recommendations), withdraw; `selectors` — reads through `visible_to`;
- `document.report_document(report)` — the data of the core rendering module's report template
  (PDF through Typst, DOCX through docxtpl); `document.render_trial_report` — the background
  renderer registered as `monitoring.report`;
- `protection` — what a report must never name, removed from every text that is rendered.
"""
