"""Development parts of the appliance: simulated hardware, the development branch server,
the scripted demo and the data generators. Installed by `make run` and `make test`, never
into the box image (see appliance/development.py)."""
