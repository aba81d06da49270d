"""The evaluation committee of a talent call (评审委员会): its members, their ballots and the tally."""
