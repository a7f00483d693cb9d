from storymap.cli import main

raise SystemExit(main())
