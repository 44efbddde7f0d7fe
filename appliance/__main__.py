from appliance.commands.cli import main

raise SystemExit(main())
