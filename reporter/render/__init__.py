"""Output formats: one module per format, each turning plain data into text."""
