from . import osmd_ballot_entry, osmd_meeting_exchange
