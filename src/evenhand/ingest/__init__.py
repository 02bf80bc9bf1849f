"""Raw files and payloads -> domain models, validated at the edge."""
