from stormguard.cli import main

raise SystemExit(main())
