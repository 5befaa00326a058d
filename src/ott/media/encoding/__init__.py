"""Turning a source into an adaptive ladder: inspection, the ladder, FFmpeg, manifests,
thumbnails, subtitles, and the transcoder interface (local FFmpeg or MediaConvert settings)."""
