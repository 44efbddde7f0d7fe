"""The resident ID card reader (身份证阅读器): SAM frames, commands, the serial link, the
polling worker, and its words; the card's text is decoded in :mod:`appliance.domain.id_card`."""
