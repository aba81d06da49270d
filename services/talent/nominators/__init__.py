"""The register of award nominators (提名者, AW-2), kept by officials."""
