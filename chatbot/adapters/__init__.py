"""Chat platforms: thin translations between Slack or Matrix and the platform-neutral core."""
