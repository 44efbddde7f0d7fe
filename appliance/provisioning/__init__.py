"""On-site provisioning: a signed bundle from branch IT (网建办) sets up a box in place.

``site`` says which keys a site file may set and merges it over the box file (pure);
``bundle`` builds, parses and verifies a bundle (pure); ``words`` holds every refusal
reason in Chinese and English; ``result`` is the small last-result file the kiosk shows;
``install`` verifies and writes a bundle to the data partition; ``commands`` wires
``appliance provision`` into the CLI.
"""
