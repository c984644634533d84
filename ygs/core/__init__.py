"""Pure core: text in, values out. No I/O here."""
