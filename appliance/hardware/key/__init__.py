"""The operator's USB key: the port, PKCS#11, detection on the USB bus, the key worker."""
