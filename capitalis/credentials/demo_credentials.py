"""Demo step: verifiable credentials for the demo learners (see demo.py)."""
