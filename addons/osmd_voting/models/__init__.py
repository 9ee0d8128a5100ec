from . import osmd_voting_rule, osmd_meeting, osmd_meeting_voter, osmd_meeting_vote
