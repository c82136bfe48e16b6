"""Ask from chat: Slack (slash command and Events API) answered through the governed Ask engine.

A chat user is mapped to a revintel user (``REVINTEL_CHAT_USER_MAP``) and asks under that user's scope;
unmapped users and unsigned requests are refused. Answers go privately to the asker (an ephemeral
reply or a direct message), never to a channel whose members may have another scope.
"""
