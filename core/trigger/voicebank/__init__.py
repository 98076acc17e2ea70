"""Voice banks: the offline TTS voices, backgrounds and augmentation the trigger model is trained on."""
