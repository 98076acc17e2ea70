"""Training the trigger model and judging it: examples, training runs, dev figures, false alarms, weight averages, fine-tuning on a person's voice, and the model card."""
