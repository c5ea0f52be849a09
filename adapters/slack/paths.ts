// The path Slack posts events and interactions to (the Request URL is PUBLIC_URL + this).
export const SLACK_EVENTS_PATH = "/slack/events";
