"""Tests on what real university servers returned: the captures in ../shared/real/."""
