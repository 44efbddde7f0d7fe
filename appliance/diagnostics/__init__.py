"""The self-test: every device and the store checked; English for the CLI, Chinese on 系统诊断."""
