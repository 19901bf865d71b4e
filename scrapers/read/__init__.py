"""Readers shared by every kind of source, each for one thing a page holds: text, dates,
speakers, label sections, schema.org Events and iCalendar feeds. They build drafts and never
decide which kind of source a page is."""
