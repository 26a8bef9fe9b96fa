"""Export: merged HF folder -> GGUF 16-bit (converter) -> quantized ladder (llama.cpp)."""
