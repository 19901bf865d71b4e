"""`python -m aggregator` is `talkfeed`."""

from aggregator.cli import main

raise SystemExit(main())
