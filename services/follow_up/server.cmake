# Server and binary (the lead).
