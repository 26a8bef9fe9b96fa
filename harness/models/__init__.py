"""Model artifacts: the base model as a 16-bit HF folder, and what each artifact carries."""
