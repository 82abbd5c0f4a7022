"""The offline recognition engine: RapidOCR for the text, layout rules for the fields."""
