"""Demo step: PDFs (certificate, attestation, decision letter) for the demo learners."""
