"""The bureau's yearly calls: foreign-expert programmes and outbound training plans."""
