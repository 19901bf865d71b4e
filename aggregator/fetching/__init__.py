"""Fetching: pages asked for politely, a site crawled within its budget, answers kept,
recorded and replayed."""
