from ascnb.cli import main

raise SystemExit(main())
