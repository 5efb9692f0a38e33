// The post step: cache saving arrives with the GitHub-integration work; until then it has nothing to do.
export {};
