import { Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { PageInfo } from './page-info.type.js';

/** The Relay connection and edge types of a node type, named as the contract names them. */
export const connectionType = <T extends object>(
  nodeType: () => ClassType<T>,
  name: string,
  options: { totalCount: boolean } = { totalCount: true },
) => {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(nodeType)
    node!: T;
  }

  if (!options.totalCount) {
    @ObjectType(`${name}Connection`, { simpleResolvers: true })
    class Connection {
      @Field(() => [Edge])
      edges!: Edge[];

      @Field(() => PageInfo)
      pageInfo!: PageInfo;
    }
    return Connection;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class CountedConnection {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int)
    totalCount!: number;
  }
  return CountedConnection;
};
