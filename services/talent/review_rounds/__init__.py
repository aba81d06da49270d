"""Expert review of talent applications (NSF-2 to NSF-4, TAL-1) on the shared review rounds."""
