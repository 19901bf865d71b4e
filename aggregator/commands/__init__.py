"""The commands besides `run`: the demo, reading one page, adding a site, checking saved pages."""
