"""Records: talk drafts made records by shared rules, kept within limits, merged across sources."""
