"""出国(境)培训计划: units' applications for training abroad."""
