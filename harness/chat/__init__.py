"""Chat formatting shared by training and evaluation: templates, tool prompts, tool-call parsing."""
