"""The HTTP side: the GraphQL endpoint, GraphiQL, middleware, and the pages."""
