"""The store: every talk with its history and the pages read before, and the lock that keeps
one run at a time on it."""
