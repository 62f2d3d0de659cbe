import sys

from workforce_sim.cli.main import main

sys.exit(main())
